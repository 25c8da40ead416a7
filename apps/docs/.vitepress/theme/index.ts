// The site's theme: VitePress's default theme, plus the components pages use by name.
import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import Playground from './components/Playground.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('Playground', Playground);
  },
} satisfies Theme;
