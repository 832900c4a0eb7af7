// Pages shown without signing in: only the theme applies.
import './theme.js';
