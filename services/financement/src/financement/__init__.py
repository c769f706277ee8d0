"""Service financement: territory envelopes and the aids granted out of them (France 2030 investments)."""
