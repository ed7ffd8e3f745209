import { addons } from 'storybook/manager-api';
import { create } from 'storybook/theming';

// The sidebar says what this Storybook is; everything else keeps Storybook's defaults.
addons.setConfig({
  theme: create({ base: 'light', brandTitle: 'colloquy', brandTarget: '_self' }),
});
