"""The shapes lab: training and experiments, transfer learning, the paper's tables, the variants compared."""
