/* The board's voice: a chime, then the call said in Vietnamese, one announcement at a time.
 *
 * Speaks with the browser's own Vietnamese voice when the device has one installed locally;
 * otherwise (most TV browsers, and any board without internet) it plays the sentence from
 * the short clips shipped in static/voice/vi/, scheduled back to back with Web Audio.
 * Announcements wait in a queue, so calls made together are each heard in full.
 */
(function () {
  "use strict";

  var PAUSE_BETWEEN_ANNOUNCEMENTS = 900; // milliseconds
  // Seconds of silence after a clip (the chime rings on under the first words).
  var PAUSE_AFTER = { "chime": -0.5, "moi-cong-dan": 0.28, "den-quay-so": 0.12 };
  var PAUSE_BEFORE = { "den-quay-so": 0.3 };
  var WORD_PAUSE = 0.1;
  var LOAD_TIMEOUT = 10000;

  function BoardVoice(options) {
    this.base = options.base;
    this.forceClips = options.mode === "clips";
    this.onChange = options.onChange || function () {};
    this.extension = this.pickExtension();
    this.queue = [];
    this.history = [];
    this.current = null;
    this.enabled = options.enabled !== false;
    this.buffers = {};
    this.sources = [];
    this.voice = null;
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    this.context = AudioContext ? new AudioContext() : null;
    this.watchVoices();
    this.preload(options.clips || []);
  }

  BoardVoice.prototype.pickExtension = function () {
    var probe = document.createElement("audio");
    var opus = probe.canPlayType && probe.canPlayType('audio/ogg; codecs="opus"');
    return opus ? "ogg" : "mp3";
  };

  BoardVoice.prototype.clipUrl = function (slug) {
    return this.base + slug + "." + this.extension;
  };

  /* Whether the browser lets the board make sound yet (autoplay needs a gesture). */
  BoardVoice.prototype.isUnlocked = function () {
    return !this.context || this.context.state === "running";
  };

  /* Call from a tap or key press: browsers start audio only after a user gesture. */
  BoardVoice.prototype.unlock = function () {
    var self = this;
    if (window.speechSynthesis && this.voice) {
      var silent = new SpeechSynthesisUtterance(" ");
      silent.volume = 0;
      window.speechSynthesis.speak(silent);
    }
    var resumed = this.context ? this.context.resume() : Promise.resolve();
    return Promise.resolve(resumed).then(function () {
      self.onChange();
      self.pump();
    });
  };

  /* A Vietnamese voice installed on the device (network voices fail without internet). */
  BoardVoice.prototype.watchVoices = function () {
    var self = this;
    if (!window.speechSynthesis || this.forceClips) return;
    function choose() {
      var voices = window.speechSynthesis.getVoices().filter(function (voice) {
        return /^vi([-_]|$)/i.test(voice.lang) && voice.localService;
      });
      self.voice = voices[0] || null;
    }
    choose();
    if (window.speechSynthesis.addEventListener) {
      window.speechSynthesis.addEventListener("voiceschanged", choose);
    }
  };

  BoardVoice.prototype.load = function (url) {
    var self = this;
    if (!this.buffers[url]) {
      this.buffers[url] = fetch(url)
        .then(function (response) {
          if (!response.ok) throw new Error("clip " + url + ": " + response.status);
          return response.arrayBuffer();
        })
        .then(function (data) {
          return new Promise(function (resolve, reject) {
            self.context.decodeAudioData(data, resolve, reject);
          });
        });
      this.buffers[url].catch(function () { delete self.buffers[url]; });
    }
    return this.buffers[url];
  };

  /* Fetch and decode every clip once, so a call is spoken even if the server is slow. */
  BoardVoice.prototype.preload = function (slugs) {
    var self = this;
    if (!this.context) return;
    slugs.forEach(function (slug) {
      self.load(self.clipUrl(slug)).catch(function () { /* retried when needed */ });
    });
  };

  BoardVoice.prototype.setEnabled = function (enabled) {
    this.enabled = enabled;
    if (!enabled) this.stop();
    this.onChange();
  };

  /* Queue one call; `call` carries its number, counter and `speech` {text, clips}. */
  BoardVoice.prototype.announce = function (call) {
    if (!this.enabled) return null;
    var self = this;
    var item = {
      id: call.id,
      number: call.number,
      counter: call.counter,
      text: call.speech.text,
      clips: [this.clipUrl("chime")].concat(call.speech.clips.map(function (slug) {
        return self.clipUrl(slug);
      })),
      mode: null,
      state: "queued",
      queuedAt: Date.now(),
    };
    this.queue.push(item);
    this.history.push(item);
    if (this.history.length > 50) this.history.shift();
    this.onChange();
    this.pump();
    return item;
  };

  BoardVoice.prototype.pump = function () {
    var self = this;
    if (this.current || !this.queue.length || !this.enabled || !this.isUnlocked()) return;
    var item = this.queue.shift();
    this.current = item;
    item.state = "playing";
    item.startedAt = Date.now();
    this.onChange();
    var chime = item.clips.slice(0, 1);
    var words = item.clips.slice(1);
    var chimed = false;
    var spoken = this.voice && !this.forceClips
      ? this.playClips(chime).then(function () {
        chimed = true;
        return self.speak(item);
      })
      : Promise.reject(new Error("no local Vietnamese voice"));
    spoken
      .then(function () { item.mode = "speech"; })
      .catch(function () {
        if (item.state !== "playing") throw new Error("stopped");
        item.mode = "clips";
        return self.playClips(chimed ? words : item.clips);
      })
      .then(
        function () { if (item.state === "playing") item.state = "done"; },
        function () { if (item.state === "playing") item.state = "failed"; }
      )
      .then(function () {
        item.endedAt = Date.now();
        self.current = null;
        self.onChange();
        window.setTimeout(function () { self.pump(); }, PAUSE_BETWEEN_ANNOUNCEMENTS);
      });
  };

  /* Play clips back to back; resolves when the last one has finished. */
  BoardVoice.prototype.playClips = function (urls) {
    var self = this;
    if (!this.context) return Promise.reject(new Error("no Web Audio"));
    var loads = urls.map(function (url) { return self.load(url); });
    var timeout = new Promise(function (resolve, reject) {
      window.setTimeout(function () { reject(new Error("clips did not load")); }, LOAD_TIMEOUT);
    });
    return Promise.race([Promise.all(loads), timeout]).then(function (buffers) {
      return new Promise(function (resolve) {
        var moment = self.context.currentTime + 0.05;
        buffers.forEach(function (buffer, index) {
          var slug = urls[index].split("/").pop().split(".")[0];
          if (index > 0) moment += PAUSE_BEFORE[slug] || 0;
          var source = self.context.createBufferSource();
          source.buffer = buffer;
          source.connect(self.context.destination);
          source.start(moment);
          self.sources.push(source);
          moment += buffer.duration;
          if (index < buffers.length - 1) moment += PAUSE_AFTER[slug] || WORD_PAUSE;
        });
        var left = (moment - self.context.currentTime) * 1000;
        window.setTimeout(function () {
          self.sources = [];
          resolve();
        }, Math.max(left, 0));
      });
    });
  };

  BoardVoice.prototype.speak = function (item) {
    var voice = this.voice;
    return new Promise(function (resolve, reject) {
      var utterance = new SpeechSynthesisUtterance(item.text);
      utterance.lang = voice.lang || "vi-VN";
      utterance.voice = voice;
      utterance.rate = 0.9;
      var finished = false;
      function finish(error) {
        if (finished) return;
        finished = true;
        if (error) reject(error); else resolve();
      }
      utterance.onend = function () { finish(); };
      utterance.onerror = function (event) { finish(new Error(event.error || "speech failed")); };
      // Some browsers never fire `end`: give up waiting (without cutting the voice off).
      window.setTimeout(function () { finish(); }, 4000 + item.text.length * 120);
      window.speechSynthesis.speak(utterance);
    });
  };

  /* Silence now: the board's sound was switched off. */
  BoardVoice.prototype.stop = function () {
    this.queue.forEach(function (item) { item.state = "dropped"; });
    this.queue = [];
    if (this.current) this.current.state = "stopped";
    this.sources.forEach(function (source) {
      try { source.stop(); } catch (error) { /* already ended */ }
    });
    this.sources = [];
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  };

  window.BoardVoice = BoardVoice;
})();
