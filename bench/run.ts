import { bundleSizes } from './bundle-size';

// `npm run bench`: prints figures, fails nothing.
const CAPTURE_TARGET_KB = 450;

console.log('\nFunction bundles (minified ESM, AWS SDK included)');
console.log('function      size (KB)   gzip (KB)');
for (const { name, bytes, gzipBytes } of await bundleSizes()) {
  const note = name === 'capture' ? `   target ${CAPTURE_TARGET_KB} KB: ${bytes / 1024 <= CAPTURE_TARGET_KB ? 'met' : 'missed'}` : '';
  console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(1).padStart(9)}   ${(gzipBytes / 1024).toFixed(1).padStart(9)}${note}`);
}
