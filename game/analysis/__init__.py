"""The scenario analyser (issue 8 §2): what a scenario rewards, computed exactly with a MILP
solver (SciPy's HiGHS) over the levers' step grids. It lives beside the engine, not inside
it, so the engine stays dependency-free; every outcome it reports is scored by the engine's
own `score_round`. docs/analysis.md explains the figures and the checks."""

from game.analysis.analyser import CHECKS, analyse_scenario
from game.analysis.report import analysis_table

__all__ = ["CHECKS", "analyse_scenario", "analysis_table"]
