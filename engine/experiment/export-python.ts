// Moved to engine/export/ (one file per target); kept so existing imports of the pyvene script export still work.
export { exportPython, pytorchModelFor, py } from '../export/pyvene-config-script.js';
