"""The paper's sections, one module each: what a section declares (``spec.Section``: its report
category, result files and deviation switches) and the measurement behind each of its claims.
``mnist1d_repro.registry`` collects them; every list of sections elsewhere derives from it.

Section modules are imported when the workflow is parsed, so they import only what is cheap
(pandas is imported inside the functions that build a table)."""
