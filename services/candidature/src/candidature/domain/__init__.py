"""Pure domain of the candidature: the wave calendar, commands, the Candidature decider and its refusals."""
