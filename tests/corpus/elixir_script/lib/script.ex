# Elixir's own supervisors, started the way a script, a test or iex starts them: from a
# plain process, with no Application. Their trees are Elixir's; this file only arranges them.
defmodule CorpusScript.Worker do
  use GenServer
  def start_link(id), do: GenServer.start_link(__MODULE__, id, name: {:via, Registry, {CorpusScript.Registry, id}})
  def init(id), do: {:ok, id}
  def handle_call(:ping, _from, id), do: {:reply, id, id}
end

defmodule CorpusScript do
  def start do
    parent = self()

    spawn(fn ->
      children = [
        {Registry, keys: :unique, name: CorpusScript.Registry, partitions: 2},
        {DynamicSupervisor, name: CorpusScript.Workers, strategy: :one_for_one},
        {Task.Supervisor, name: CorpusScript.Tasks},
        {PartitionSupervisor, child_spec: DynamicSupervisor, name: CorpusScript.Partitions},
        %{id: :counter, start: {Agent, :start_link, [fn -> 0 end, [name: CorpusScript.Counter]]}}
      ]

      {:ok, _} = Supervisor.start_link(children, strategy: :one_for_one, name: CorpusScript.Sup)
      {:ok, _} = Registry.start_link(keys: :duplicate, name: CorpusScript.PubSub)

      for i <- 1..50,
          do: {:ok, _} = DynamicSupervisor.start_child(CorpusScript.Workers, {CorpusScript.Worker, i})

      for _ <- 1..3,
          do: Task.Supervisor.start_child(CorpusScript.Tasks, fn -> Process.sleep(:infinity) end)

      for i <- 1..4,
          do: DynamicSupervisor.start_child({:via, PartitionSupervisor, {CorpusScript.Partitions, i}},
                {Agent, fn -> i end})

      if System.get_env("CORPUS_TRAFFIC") != "off", do: spawn(fn -> traffic(1) end)
      send(parent, :started)
      Process.sleep(:infinity)
    end)

    receive do
      :started -> :ok
    after
      10_000 -> :timeout
    end
  end

  defp traffic(n) do
    [{pid, _}] = Registry.lookup(CorpusScript.Registry, rem(n, 50) + 1)
    GenServer.call(pid, :ping)
    Agent.update(CorpusScript.Counter, &(&1 + 1))
    Process.sleep(20)
    traffic(n + 1)
  end
end
