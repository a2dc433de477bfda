// A green run is quiet: whatever the code under test writes to stdout/stderr (the runtime's JSON
// logger writes there directly, past jest's console capture) is held per test and shown only when
// that test, or a hook around it, fails.
const { TestEnvironment } = require('jest-environment-node');

class QuietEnvironment extends TestEnvironment {
  held = [];
  active = false;
  restore = [];

  async setup() {
    await super.setup();
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write;
      stream.write = (chunk, ...rest) => {
        if (!this.active) return write.call(stream, chunk, ...rest);
        this.held.push(String(chunk)); // a Buffer's String() is its UTF-8 text
        const callback = rest.find((r) => typeof r === 'function');
        if (callback) callback();
        return true;
      };
      this.restore.push(() => {
        stream.write = write;
      });
    }
  }

  async teardown() {
    this.active = false;
    for (const undo of this.restore.splice(0)) undo();
    await super.teardown();
  }

  show(title) {
    const text = this.held.join('');
    this.held = [];
    if (!text) return;
    this.active = false;
    process.stderr.write(`\n── output of failed ${title} ──\n${text}\n── end of output ──\n`);
    this.active = true;
  }

  handleTestEvent(event) {
    switch (event.name) {
      case 'run_start':
        this.active = true;
        break;
      case 'hook_failure':
        this.show(`${event.hook.type} hook`);
        break;
      case 'test_done':
        if (event.test.errors.length > 0) this.show(`test "${event.test.name}"`);
        else this.held = [];
        break;
      case 'run_finish':
        this.held = [];
        this.active = false;
        break;
    }
  }
}

module.exports = QuietEnvironment;
