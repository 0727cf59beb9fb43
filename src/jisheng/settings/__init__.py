"""Settings: ``base`` (from the environment), ``production`` and ``test`` profiles."""
