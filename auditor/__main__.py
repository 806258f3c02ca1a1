"""`python -m auditor`: the same command as the installed `auditor` script."""
from .cli import entry

entry(prog_name="auditor")  # usage and errors name the command as users type it
