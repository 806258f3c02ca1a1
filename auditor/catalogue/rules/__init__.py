"""The rule language: value expressions, predicates and quantifiers (see docs/rules.md)."""
from .quantifiers import QUANTIFIERS, Hit, Outcome, applies, compile_rule, datasets_of, evaluate
from .values import Context, RuleError

__all__ = ["QUANTIFIERS", "Context", "Hit", "Outcome", "RuleError", "applies", "compile_rule", "datasets_of",
           "evaluate"]
