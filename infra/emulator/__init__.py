"""The local AWS emulator: a moto server on loopback, with the gaps gm-infra needs filled."""
