import { defineConfig } from 'vitepress';

const packages = [
  { text: '@legosim/x86', link: '/packages/x86' },
  { text: '@legosim/cpu', link: '/packages/cpu' },
  { text: '@legosim/memory', link: '/packages/memory' },
  { text: '@legosim/interrupts', link: '/packages/interrupts' },
  { text: '@legosim/kernel', link: '/packages/kernel' },
  { text: '@legosim/trace', link: '/packages/trace' },
  { text: 'legosim (CLI)', link: '/packages/cli' },
];

export default defineConfig({
  title: 'legosim',
  description: "An executable model of LegoOS's x86-64 syscall machinery, in TypeScript.",
  cleanUrls: true,
  lastUpdated: false,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Concepts', link: '/concepts/syscall-facts' },
      { text: 'Packages', link: '/packages/' },
      { text: 'Trace format', link: '/reference/trace-format' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'What legosim is', link: '/' },
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'The command line', link: '/guide/cli' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Lego SYSCALL facts', link: '/concepts/syscall-facts' },
          { text: 'How a syscall flows', link: '/concepts/syscall-flow' },
        ],
      },
      { text: 'Packages', link: '/packages/', items: packages },
      {
        text: 'Reference',
        items: [
          { text: 'Trace events and jsonl', link: '/reference/trace-events' },
          { text: 'Reading a trace', link: '/reference/trace-exports' },
          { text: 'Binary trace format', link: '/reference/trace-format' },
        ],
      },
    ],
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
