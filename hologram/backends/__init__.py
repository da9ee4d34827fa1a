"""Code generators: lowered IR to something a machine runs. Only C with OpenMP (`backends/c/`)."""
