"""Analyses over Hologram's IR, used by the passes (each analysis is a plain function)."""
