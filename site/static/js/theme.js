// Light, dark or system theme, kept in localStorage and applied to <html data-theme>.
const KEY = 'portal-theme';
// Set while a choice has not reached the account yet (js/shell.js).
export const THEME_UNSAVED = 'portal-theme-unsaved';

export function storedTheme() {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(choice) {
  if (choice === 'light' || choice === 'dark') {
    document.documentElement.dataset.theme = choice;
    localStorage.setItem(KEY, choice);
  } else {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(KEY);
  }
}

applyTheme(storedTheme());
