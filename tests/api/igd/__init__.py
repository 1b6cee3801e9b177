"""Contract tests of the igd dialect (contract 004, Pendataan IGD)."""
