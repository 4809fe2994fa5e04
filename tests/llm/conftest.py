"""Provider tests share the fake OpenAI and Gemini servers of the top-level conftest."""
