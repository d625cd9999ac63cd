"""Three-way meetings: the agreement's meeting plan as dated meetings, with agendas,
invitations and a note of what was agreed."""
