"""openrouter: a typed OpenRouter API client over the sseproto adapters."""
