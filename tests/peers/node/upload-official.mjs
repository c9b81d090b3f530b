// Uploads one file with the official client (@actions/artifact) and prints the seconds its
// uploadArtifact call took, as JSON. Used by `worldstate bench upload` for a side-by-side run.
// Usage: node upload-official.mjs NAME FILE ROOT COMPRESSION_LEVEL
// Needs ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL (the benchmark's local service).
import { DefaultArtifactClient } from '@actions/artifact';

const [name, file, root, level] = process.argv.slice(2);
const client = new DefaultArtifactClient();
const started = process.hrtime.bigint();
const result = await client.uploadArtifact(name, [file], root, {
  compressionLevel: Number(level),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ id: String(result.id), size: result.size, seconds }) + '\n');
