"""Catalogue: controls, the policy, the audit map (`framework`, `crosswalk`), and the rule language (`rules/`).

Imports the shared base, `privacy` and `evidence` (kinds and normalisers the rules compile against).
Entry points: `controls.load`, `controls.apply_policy`, `policy.load`, `framework.load`,
`framework.check_controls`.
"""
