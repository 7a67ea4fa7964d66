"""The after-action report (DESIGN §6): a pure report model, then renderers per format.

`model.report_model(export)` builds the data from a `redlines.game/1` export; `charts`,
`tables`, `html` and `pdf` render it. docs/export-format.md describes the formats.
"""
