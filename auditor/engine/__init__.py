"""The engine: one audit run (load, merge the register, evaluate, apply exceptions) and the result cache.

Imports every stage below it (base, privacy, evidence, catalogue, cycle). Entry points:
`audit.run(policy, evidence, control_dirs) -> AuditRun`, `runcache.RunCache`.
"""
