// Placeholder until the safetensors reader lands (issue 2).
