// Placeholder until the CLIP tokenizer lands (issue 2).
