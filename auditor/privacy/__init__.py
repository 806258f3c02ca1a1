"""Privacy: My Number detection and masking, personal-data occurrences, output sanitising.

Imports only the shared base. Entry points: `mynumber.mask`, `mynumber.find`, `mynumber.dumps`,
`sanitize.visible`.
"""
