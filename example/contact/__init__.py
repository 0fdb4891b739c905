"""The contact app: visitors write to the team, staff get an email."""
