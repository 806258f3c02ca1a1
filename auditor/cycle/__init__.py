"""The PDCA cycle across fiscal years: history database, action register, progress sheets, the
worksheets sent out (auditors' checklist, self-assessment), merge, compare, trend, baseline, and the
prefecture roll-up of many towns' check results.

Imports the shared base, `privacy`, `evidence` and `catalogue`. Entry points: `history.connect`,
`history.record_run`, `register.rows`, `progress.export` / `progress.read`, `returned.plan`, `pdca.recur`,
`worksheet.export`, `selfcheck.export`, `rollup.build`.
"""
