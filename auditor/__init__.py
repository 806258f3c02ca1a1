"""Information-security compliance auditor for Japanese local governments."""

__version__ = "0.1.0"
