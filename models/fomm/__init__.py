"""First Order Motion Model (Siarohin et al., NeurIPS 2019) for Marionette."""
