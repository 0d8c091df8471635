"""What changes a model: single-point mutation, adaptive evolution of rule arrays, the
biological-evolution model, SGD on MLPs and mesh nets (``nets``), and grokking training
(``grokking``).  Imports models and tasks, never analysis.
"""
