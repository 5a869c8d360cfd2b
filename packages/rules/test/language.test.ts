import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectLanguage } from '../src/language.js';
import { LABELLED, SHORT, UNSURE } from './fixtures/messages.js';

const LANGS = ['en', 'es', 'pt', 'fr', 'de'] as const;

describe('detectLanguage', () => {
  it('names the right language for labelled support messages, and never a wrong one', () => {
    for (const lang of LANGS) {
      const results = LABELLED[lang].map((t) => detectLanguage([t]).language);
      const right = results.filter((r) => r === lang).length;
      const wrong = results.filter((r) => r !== null && r !== lang);
      assert.deepEqual(wrong, [], `${lang}: wrong answers`);
      assert.ok(right / results.length >= 0.9, `${lang}: ${right}/${results.length} right`);
    }
  });

  it('three- and four-word messages: mostly right, otherwise unsure, never wrong', () => {
    const all = LANGS.flatMap((l) => SHORT[l].map((t) => [l, detectLanguage([t]).language] as const));
    assert.deepEqual(all.filter(([l, r]) => r !== null && r !== l), []);
    assert.ok(all.filter(([l, r]) => r === l).length / all.length >= 0.8);
  });

  it('is unsure about "ok" / "thanks"-type messages', () => {
    for (const text of UNSURE) assert.deepEqual(detectLanguage([text]), { language: null, confidence: 0 }, text);
  });

  it('reads several messages together: short ones add up', () => {
    assert.equal(detectLanguage(['hola', 'no puedo', 'entrar a mi cuenta']).language, 'es');
    assert.equal(detectLanguage(['ok']).language, null);
  });

  it('answers in the language the customer writes now: the newest messages, once they hold enough words', () => {
    const englishEmail = 'Hi team, I have been trying to reset my password for the last two days and the link in the email never arrives. I checked spam. Could you please look into it? '.repeat(4);
    assert.equal(detectLanguage([englishEmail]).language, 'en');
    assert.equal(detectLanguage([englishEmail, 'hola, sigo sin poder entrar a mi cuenta', 'me pueden ayudar por favor? es urgente, necesito los documentos hoy']).language, 'es');
    const spanish = 'Hola, quiero cancelar mi suscripción porque ya no uso el servicio. '.repeat(20);
    assert.equal(detectLanguage([spanish, 'Actually, can someone who speaks English help me? I need to cancel my subscription today.']).language, 'en');
    // Too few words in the newest message alone: the ones before it are read too, newest first.
    assert.equal(detectLanguage([spanish, 'ok thanks']).language, 'es');
  });

  it('chooses only among the configured languages', () => {
    const text = 'quero cancelar minha assinatura hoje';
    assert.equal(detectLanguage([text]).language, 'pt');
    assert.notEqual(detectLanguage([text], { languages: ['en', 'es', 'fr'] }).language, 'pt');
    assert.equal(detectLanguage(['ich möchte mein abo kündigen bitte'], { languages: ['de', 'nl'] }).language, 'de');
    assert.equal(detectLanguage(['vorrei annullare il mio abbonamento'], { languages: ['it', 'es'] }).language, 'it');
    assert.deepEqual(detectLanguage([text], { languages: [] }), { language: null, confidence: 0 });
  });

  it('reports a confidence between 0 and 1 and honours minConfidence', () => {
    const sure = detectLanguage(['meine bestellung ist noch nicht angekommen']);
    assert.equal(sure.language, 'de');
    assert.ok(sure.confidence > 0.04 && sure.confidence <= 1, String(sure.confidence));
    assert.equal(detectLanguage(['meine bestellung ist noch nicht angekommen'], { minConfidence: 1.01 }).language, null);
  });
});
