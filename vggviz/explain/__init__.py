"""Explanations: attribution methods, their sanity checks, receptive fields measured, one unit's arithmetic, top patches, feature visualisation."""
