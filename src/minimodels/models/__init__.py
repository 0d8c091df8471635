"""What computes: one-dimensional cellular automata, rule arrays (a CA rule per cell) and the
named initialisations of the continuous models.  Pure functions of their parameters.
"""
