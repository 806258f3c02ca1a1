"""`python -m auditor.cli`, as before the CLI became a package: the same as `python -m auditor`."""
from . import entry

entry(prog_name="auditor")
