"""The extractive writer: executes writing tasks from the sources alone, with no model.

Only the ``offline`` provider (``aiwriter_kernel.llm.offline_provider``) runs it; pipelines
reach it the way they reach any model, through the gateway. Every sentence it writes is
taken from a source and cited; what it decides is which sentences, in what groups, in
what order and under what headings (``plan`` for articles).
"""
