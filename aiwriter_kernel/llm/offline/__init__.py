"""The offline composer: executes writing tasks from the sources alone, with no model."""
