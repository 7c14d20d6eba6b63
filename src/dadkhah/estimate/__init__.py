"""Multiple systems estimation: how many victims, recorded or not.

Modules (no CLI or database dependency except ``commands`` and ``service.estimate_case``):

- ``table``: capture-history tables (CSV ``pattern,count[,strata]`` or per-victim DataFrames)
- ``loglinear``, ``closed``, ``poisson``: log-linear models (Rcapture-style), M0/Mt/Mh/Mth Chao
- ``lcmcr``, ``lcmcr_kernel``, ``diagnostics``: Bayesian latent-class model (Manrique-Vallier 2016)
- ``bma``: model averaging over decomposable graphs (Madigan & York 1997)
- ``checks``, ``stratified``, ``service``, ``report``, ``commands``

See docs/estimate.md.
"""
