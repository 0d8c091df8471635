"""Measurements on models and learners: Lempel–Ziv complexity, the parameter–function map
(``sampling``), P_SGD vs P_B (``bayes``), change maps, multiway mutation graphs and
learnability.
"""
