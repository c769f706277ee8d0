"""Instruction service: the selection of territories and the qualification of their industrial projects."""
