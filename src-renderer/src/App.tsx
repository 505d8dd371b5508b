import { useEffect } from 'react';
import { api } from './api-client';
import { ModelList } from './components/ModelList';
import { useModels } from './stores/models';

export function App() {
  const { models, selectedId, error, load, select } = useModels();
  useEffect(() => {
    void load(api);
  }, [load]);
  return (
    <div className="app">
      <header>
        <h1>Marionette</h1>
      </header>
      <main>
        <section aria-labelledby="models-heading">
          <h2 id="models-heading">Models</h2>
          {error ? (
            <p role="alert">{error}</p>
          ) : (
            <ModelList models={models} selectedId={selectedId} onSelect={select} />
          )}
        </section>
      </main>
    </div>
  );
}
