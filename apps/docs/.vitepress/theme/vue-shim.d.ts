// tsc sees .vue files only through this declaration (vite compiles them; the Vue SFC itself
// is checked by the build, not by `tsc`).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
