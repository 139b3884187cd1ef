// Exactly the trace types the dashboard draws, plus the Chinese locale.
var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/waterfall'),
  require('plotly.js/lib/locales/zh-cn'),
]);
module.exports = Plotly;
