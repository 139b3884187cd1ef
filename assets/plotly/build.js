const esbuild = require('esbuild');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { environmentPlugin } = require('esbuild-plugin-environment');
esbuild.build({
  entryPoints: ['entry.js'], outfile: process.argv[2] || 'plotly-dashboard.min.js',
  format: 'iife', globalName: 'Plotly', bundle: true, minify: true, target: 'es2016',
  plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
  alias: { stream: 'stream-browserify' }, define: { global: 'window', 'define.amd': 'false' },
  legalComments: 'inline', logLevel: 'info',
}).catch(() => process.exit(1));
