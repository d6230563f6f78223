"""Diffusion models as Markovian hierarchical VAEs with a fixed Gaussian encoder (DDPM, VDM).

Pure pieces: `schedules` (beta_t, alpha_bar_t, the log-SNR gamma(t)), `objectives`
(forward marginal, posterior, discrete and continuous ELBOs, decoders) and
`samplers` (ancestral, DDIM, probability-flow ODE with its log-likelihood).
Glue: `networks` (score networks) and `models` (the registered 'ddpm' and 'vdm').
"""
