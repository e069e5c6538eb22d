"""Reference data (the 15 collaboratives, 42 ICBs, real trusts, the stage scale) and the
synthetic demo network, with the loader behind `collab seed`."""
