"""The decision aid in the clinic: a live Panel page (``outcomes app``) and a printable patient handout.

``engine`` is the one adapter to the model (evidence once per server, live summaries per session); ``page``
builds one session's page; ``render`` writes the icon arrays, the benefit-and-harm chart and the handout as
HTML/SVG; ``server`` serves it (127.0.0.1 by default) with the handout route; ``command`` registers the
subcommand.
"""
