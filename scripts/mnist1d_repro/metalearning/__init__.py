"""Gradient-based metalearning (paper sections 5.3 and 5.4): a meta-loss is differentiated
through an unrolled inner training loop of a one-hidden-layer MLP.

``engine``: the hand-written inner loop both experiments share (seeded weight draws, the
activations as (value, slope) functions, the activation network, unrolled SGD and RMSProp).
``learning_rate``: Figure 6, metalearning SGD's learning rate. ``activation``: Figure 7,
metalearning an activation function, its baselines and the transfer ablation's modules.
"""
