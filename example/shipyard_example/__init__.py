"""The shipyard example project: settings, URLs and site-wide views."""
